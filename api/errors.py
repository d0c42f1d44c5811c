"""Error responses: a precise `detail` for API clients and a Chinese `message` for residents."""

from __future__ import annotations

import logging
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

# Chinese names of request fields, for validation messages shown to residents.
FIELD_LABELS = {
    "service": "办理事项",
    "applicant_name": "申请人姓名",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
    "phone_last4": "手机号后四位（或查询码）",
    "description": "投诉内容",
    "content": "建议内容",
    "text": "表扬内容",
    "department": "部门",
    "stars": "评分",
    "comment": "评价内容",
    "sender": "用户标识",
    "message": "消息内容",
    "summary": "工单摘要",
    "status": "状态",
    "username": "用户名",
    "password": "密码",
    "role": "角色",
    "q": "查询内容",
    "k": "返回条数",
    "limit": "返回条数",
    "offset": "起始位置",
    "group_id": "分组编号",
    "questions": "示例问题",
    "note": "督办意见",
    "supplement": "补充内容",
    "reason": "延期理由",
    "new_deadline": "新的办理时限",
    "review_note": "审核备注",
    "rejection_reason": "不予公开的理由",
    "word": "敏感词",
    "file": "照片",
    "kind": "类型",
    "community": "小区（社区）",
    "building": "楼栋",
    "unit": "单元",
    "photo_ids": "照片",
    # 参与式预算 (api/budget_schemas.py)
    "title": "名称",
    "area": "所属街道或社区",
    "budget_yuan": "预算总额",
    "max_choices": "每票可选项目数",
    "proposals_until": "征集截止日期",
    "review_until": "评审截止日期",
    "voting_until": "投票截止日期",
    "cost_yuan": "预计费用",
    "place": "地点",
    "decision": "评审结论",
    "cost_estimate_yuan": "评审估算费用",
    "choices": "投票选择",
    "code": "验证码",
    "phase": "阶段",
}

INVALID_JSON = "请求内容不是有效的 JSON"


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra


def _field_message(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    label = FIELD_LABELS.get(loc[-1], loc[-1]) if loc else "请求"
    kind = error.get("type", "")
    if kind == "missing":
        return f"{label}：必填项未填写"
    if kind == "value_error":
        return f"{label}：{error['ctx']['error']}"
    if kind in ("string_too_long",):
        return f"{label}：内容过长，最多{error['ctx']['max_length']}个字"
    if kind in ("string_too_short",):
        return f"{label}：内容过短，至少{error['ctx']['min_length']}个字"
    if kind in ("greater_than_equal", "less_than_equal", "int_parsing", "int_from_float"):
        return f"{label}：取值不正确"
    if kind == "json_invalid":
        return INVALID_JSON
    return f"{label}：格式不正确"


BUSY = "系统暂时繁忙，请稍后再试；急事请拨打12345政务服务便民热线。"


def _unavailable(code: str) -> JSONResponse:
    return JSONResponse({"detail": code, "message": BUSY}, status_code=503, headers={"Retry-After": "5"})


_HTTP_MESSAGES = {404: "没有找到您要的内容，请检查地址是否正确。", 405: "不支持这种请求方式。"}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.code, "message": exc.message, **exc.extra}, status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own errors (no such path, method not allowed) in the same shape as ApiError's.
        message = _HTTP_MESSAGES.get(exc.status_code, "请求没有成功，请稍后再试。")
        body = {"detail": exc.detail, "message": message}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(redis.ConnectionError)
    @app.exception_handler(redis.TimeoutError)
    async def _redis_down(_request: Request, exc: Exception) -> JSONResponse:
        # Shared state unreachable: a clear, retryable answer instead of a 500 per request while it lasts.
        logger.warning("redis unreachable: %s", type(exc).__name__)
        return _unavailable("shared_state_unavailable")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def _database_down(_request: Request, exc: Exception) -> JSONResponse:
        # The pool pings before use (api/db.py), so once the database is back the next request reconnects.
        logger.warning("database unreachable: %s", type(exc).__name__)
        return _unavailable("database_unavailable")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()]
        message = "；".join(dict.fromkeys(_field_message(e) for e in exc.errors()))
        return JSONResponse({"detail": errors, "message": message}, status_code=422)
