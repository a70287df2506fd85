"""The supplier self-service portal of a city green supply chain programme."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.config import PROJECT_ROOT, Settings


class BoundedInt(IntegerConverter):
    """`<int:...>` routes: an id beyond what the database's integer columns hold is simply not found (404), instead
    of an overflow in the database driver (500)."""

    def __init__(self, map, *args, max: int = 2**31 - 1, **kwargs) -> None:
        super().__init__(map, *args, max=max, **kwargs)


def create_app(config_overrides: dict | None = None) -> Flask:
    """Builds the app from the environment plus overrides; touches no network, file or database."""
    settings = Settings.from_env()
    app = Flask(__name__, static_folder=str(PROJECT_ROOT / "static"), instance_path=str(settings.instance_path),
                instance_relative_config=False)
    app.config.update(settings.flask_config())
    app.config.update(config_overrides or {})
    app.url_map.converters["int"] = BoundedInt  # before any blueprint adds a rule
    if hops := app.config.get("PROXY_HOPS", 0):  # TRUSTED_PROXIES: only then are X-Forwarded-* headers believed
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _bind_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from portal.cli import register_cli
    from portal.errors import register_error_pages

    register_error_pages(app)
    register_cli(app)
    return app


def _bind_extensions(app: Flask) -> None:
    from sqlalchemy.orm import joinedload

    from portal import mail
    from portal.access import enforce_login
    from portal.auth.models import User
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        ident, _, epoch = user_id.partition(".")
        if not ident.isdigit() or not epoch.isdigit():
            return None
        # Every page asks for the user's organisation (roles, navigation): load it in the same query.
        user = db.session.get(User, int(ident), options=[joinedload(User.organisation)])
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user

    app.before_request(enforce_login)
    mail.install(db.session)


def _register_blueprints(app: Flask) -> None:
    from portal import health, i18n
    from portal.admin.routes import bp as admin_bp
    from portal.api.routes import bp as api_bp
    from portal.assessment.admin_routes import bp as benchmark_admin_bp
    from portal.assessment.routes import bp as assessment_bp
    from portal.assessment.verify_routes import bp as verification_bp
    from portal.assistant.admin_routes import bp as guideline_admin_bp
    from portal.assistant.routes import bp as assistant_bp
    from portal.audit.routes import bp as audit_bp
    from portal.auth.routes import bp as auth_bp
    from portal.capacity.routes import bp as capacity_bp
    from portal.chains.buyer_routes import bp as buyer_suppliers_bp
    from portal.chains.routes import bp as chains_bp
    from portal.chains.sharing_routes import bp as chain_sharing_bp
    from portal.dashboard.routes import bp as dashboard_bp
    from portal.funding.admin_routes import bp as funding_admin_bp
    from portal.funding.closing_routes import bp as funding_closing_bp
    from portal.funding.objection_routes import bp as objections_bp
    from portal.funding.routes import bp as funding_bp
    from portal.notifications.routes import bp as notifications_bp
    from portal.orgs.routes import bp as orgs_bp
    from portal.plans.routes import bp as plans_bp
    from portal.programme.routes import bp as programme_bp
    from portal.public.review_routes import bp as tips_bp
    from portal.public.routes import bp as public_bp
    from portal.records.routes import bp as records_bp
    from portal.reports.excel_routes import bp as report_excel_bp
    from portal.reports.factors_admin import bp as factors_bp
    from portal.reports.review_routes import bp as review_bp
    from portal.reports.routes import bp as reports_bp
    from portal.sites.routes import bp as sites_bp
    from portal.workdays.routes import bp as calendar_admin_bp

    for blueprint in (health.bp, i18n.bp, auth_bp, dashboard_bp, orgs_bp, admin_bp, audit_bp, assistant_bp,
                      guideline_admin_bp, sites_bp, reports_bp, review_bp, factors_bp, report_excel_bp,
                      assessment_bp, verification_bp, benchmark_admin_bp, records_bp, plans_bp, funding_bp,
                      funding_admin_bp, notifications_bp, programme_bp, chains_bp, chain_sharing_bp,
                      buyer_suppliers_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(funding_closing_bp)  # funding after the notice: agreement, payments, acceptance
    app.register_blueprint(capacity_bp)  # trainings and on-site guidance
    app.register_blueprint(calendar_admin_bp)  # the working-day calendar
    app.register_blueprint(api_bp)  # the buyers' read-only API and its tokens
    for blueprint in (public_bp, tips_bp, objections_bp):  # the public information platform and its reviews
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from portal.templating import register

    register(app)
