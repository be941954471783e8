"""The project's Blueprint: flask-smorest's, with a JSON parser that answers every
unparseable body with 400 and ids in URLs limited to what the database can hold."""
import flask_smorest
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from ..schemas.common import MAX_ID


class StrictJsonParser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (ValueError, RecursionError) as exc:
            # Invalid JSON, but also JSON that Python cannot load: nested thousands deep,
            # or a number of thousands of digits.
            self._handle_invalid_json_error(exc, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictJsonParser()


class IdConverter(BaseConverter):
    """``<id:name>``: a positive id that fits the database. Any other number is simply not
    found (404, whatever the method), never a database error."""

    regex = r"\d+"
    part_isolating = True

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"no such id: {value}")
        return number

    def to_url(self, value):
        return str(int(value))


def register_id_converter(app, api):
    app.url_map.converters["id"] = IdConverter
    api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
