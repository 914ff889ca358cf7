"""Flask extensions, created unbound and attached in create_app (Flask docs, "Application Factories")."""

from typing import TYPE_CHECKING, Any, TypeVar, overload

import sqlalchemy as sa
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.sql._typing import _ColumnsClauseArgument
    from sqlalchemy.sql._typing import _TypedColumnClauseArgument as _TCCA

_T0 = TypeVar("_T0")
_T1 = TypeVar("_T1")
_T2 = TypeVar("_T2")
_T3 = TypeVar("_T3")

# Stable constraint names, so Alembic writes the same names on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, with the SQLAlchemy names the portal reaches through `db` typed: the
    extension hands them out from __getattr__, which a type checker can only see as Any."""

    if TYPE_CHECKING:
        # SQLAlchemy's own overloads, for up to four columns (a type checker keeps only the
        # first overload of `staticmethod(sa.select)`).
        @overload
        @staticmethod
        def select(__ent0: _TCCA[_T0]) -> Select[tuple[_T0]]: ...
        @overload
        @staticmethod
        def select(__ent0: _TCCA[_T0], __ent1: _TCCA[_T1]) -> Select[tuple[_T0, _T1]]: ...
        @overload
        @staticmethod
        def select(
            __ent0: _TCCA[_T0], __ent1: _TCCA[_T1], __ent2: _TCCA[_T2]
        ) -> Select[tuple[_T0, _T1, _T2]]: ...
        @overload
        @staticmethod
        def select(
            __ent0: _TCCA[_T0], __ent1: _TCCA[_T1], __ent2: _TCCA[_T2], __ent3: _TCCA[_T3]
        ) -> Select[tuple[_T0, _T1, _T2, _T3]]: ...
        @overload
        @staticmethod
        def select(*entities: _ColumnsClauseArgument[Any]) -> Select[Any]: ...
        @staticmethod
        def select(*entities: _ColumnsClauseArgument[Any]) -> Select[Any]:
            return sa.select(*entities)
    else:
        select = staticmethod(sa.select)
    delete = staticmethod(sa.delete)
    case = staticmethod(sa.case)
    func = sa.func


db = Database(model_class=Base)

if TYPE_CHECKING:
    # A model's base class, as mypy sees it: it cannot take an object's attribute (db.Model) as a
    # base class (python/mypy#8603), and db.Model is Base with Flask-SQLAlchemy's helpers mixed in.
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits per client address and per account on the log-in and account pages (see auth/views.py).
# State lives in memory unless RATELIMIT_STORAGE_URI names a shared store (redis://...).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
