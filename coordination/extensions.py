"""Bare extension instances, bound to the app in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from coordination.api.extension import CoordinationApi
from coordination.db import Base
from coordination.replica import RoutingSession

# RoutingSession: plain SELECTs inside `replica_reads()` go to REPLICA_DATABASE_URL when it is set (issue 14)
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = CoordinationApi()
