"""Extensions, created here and bound to the app in ``create_app``."""
from flask_migrate import Migrate
from flask_socketio import SocketIO

from .api.errors import JsonErrorApi
from .database import Database

db = Database()
migrate = Migrate()
api = JsonErrorApi()
socketio = SocketIO()
