"""The web application: JSON API under /api (OpenAPI at /docs) and server-rendered pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from api.admin.pages import router as admin_pages
from api.admin.routes import router as admin_api
from api.approvals.links import router as approval_links
from api.approvals.pages import router as approval_pages
from api.approvals.routes import router as approvals_api
from api.auth.routes import router as auth_pages
from api.auth.security import NotAuthenticated
from api.deals.pages import router as deal_pages
from api.deals.routes import router as deals_api
from api.directory.routes import router as directory_api
from api.documents.admin_pages import router as document_admin_pages
from api.documents.pages import router as document_pages
from api.documents.routes import router as documents_api
from api.errors import DomainError
from api.i18n import language_of, translate
from api.notifications.pages import router as notification_pages
from api.temporal import connect
from api.web.templating import error_page
from models.db import Database
from settings import Settings, get_settings

STATIC = Path(__file__).resolve().parent / "static"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.effective_database_url)
        # Lazy: the pages that only read the database work while Temporal is still starting.
        app.state.temporal = temporal or await connect(settings, lazy=True)
        yield
        await app.state.db.dispose()

    app = FastAPI(
        title="Workflow CRM",
        description="Deals, approvals and reminders as durable Temporal workflows.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="crm_session",
        max_age=int(settings.session_max_age.total_seconds()),
        same_site="lax",
        https_only=settings.public_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(deals_api)
    app.include_router(directory_api)
    app.include_router(admin_api)
    app.include_router(approvals_api)
    app.include_router(documents_api)
    for pages in (
        auth_pages, deal_pages, notification_pages, approval_links, approval_pages, admin_pages,
        document_pages, document_admin_pages,
    ):
        app.include_router(pages)
    _error_handlers(app)
    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, err: DomainError) -> Response:
        message = translate(language_of(request), f"error.{err.code}", **err.params)
        if not wants_json(request):
            return error_page(request, message, err.status)
        return JSONResponse(
            {"error": err.code, "message": message, "details": err.params}, status_code=err.status
        )

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, err: NotAuthenticated):  # noqa: ANN202
        if wants_json(request):
            message = translate(language_of(request), "error.NotAuthenticated")
            return JSONResponse({"error": "NotAuthenticated", "message": message}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, err: RequestValidationError) -> Response:
        language = language_of(request)
        problems = [
            {
                "field": ".".join(str(part) for part in e["loc"] if part != "body"),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in err.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        message = translate(language, "error.InvalidRequest", problems=summary)
        if not wants_json(request):
            return error_page(request, message, 422)
        return JSONResponse({"error": "InvalidRequest", "message": message, "details": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if wants_json(request):
            return await http_exception_handler(request, err)
        key = "error.PageNotFound" if err.status_code == 404 else "error.HTTPError"
        return error_page(request, translate(language_of(request), key, status=err.status_code), err.status_code)
