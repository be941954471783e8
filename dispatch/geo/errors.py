"""What the geography library refuses in a text, said in two languages."""


class TextRefused(ValueError):
    """A text that is clearly meant as a location but cannot be used. str(e) is a clear English
    message; e.message_id is the Indonesian one."""

    def __init__(self, message, message_id):
        super().__init__(message)
        self.message_id = message_id
