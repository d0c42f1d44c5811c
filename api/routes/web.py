"""The web pages served by the gateway: the demo page with the chat widget, the widget script, the console,
the 数据分析 dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["web"], include_in_schema=False)

# URL -> (file, media type). Nothing else under api/static/ is reachable.
PAGES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/console": ("console.html", "text/html; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
    "/analytics": ("analytics.html", "text/html; charset=utf-8"),
    "/analytics.js": ("analytics.js", "text/javascript; charset=utf-8"),
    "/analytics.css": ("analytics.css", "text/css; charset=utf-8"),
    # Apache ECharts, vendored by scripts/vendor_echarts.sh (make setup): the dashboard loads nothing from outside.
    "/vendor/echarts.min.js": ("vendor/echarts.min.js", "text/javascript; charset=utf-8"),
    "/grid": ("grid.html", "text/html; charset=utf-8"),
    "/grid.js": ("grid.js", "text/javascript; charset=utf-8"),
    "/grid.css": ("grid.css", "text/css; charset=utf-8"),
    "/moderation.js": ("moderation.js", "text/javascript; charset=utf-8"),
    "/inbox.js": ("inbox.js", "text/javascript; charset=utf-8"),
    "/console-shared.js": ("console-shared.js", "text/javascript; charset=utf-8"),
    "/dom.js": ("dom.js", "text/javascript; charset=utf-8"),
    "/supervision.js": ("supervision.js", "text/javascript; charset=utf-8"),
    "/departments.js": ("departments.js", "text/javascript; charset=utf-8"),
    "/community.js": ("community.js", "text/javascript; charset=utf-8"),
    "/budget": ("budget.html", "text/html; charset=utf-8"),
    "/budget.js": ("budget.js", "text/javascript; charset=utf-8"),
    "/budget.css": ("budget.css", "text/css; charset=utf-8"),
    "/budget-staff.js": ("budget-staff.js", "text/javascript; charset=utf-8"),
}


def _page_route(path: str, filename: str, media_type: str) -> None:
    async def serve() -> FileResponse:
        # no-cache: browsers revalidate (cheap 304s), so a new widget version reaches residents at once.
        return FileResponse(STATIC_DIR / filename, media_type=media_type, headers={"Cache-Control": "no-cache"})

    router.add_api_route(path, serve, methods=["GET"], name=f"web:{filename}")


for _path, (_file, _media_type) in PAGES.items():
    _page_route(_path, _file, _media_type)
