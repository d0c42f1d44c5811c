"""`/wechat`: the WeChat Official Account webhook (GET URL verification, POST message pushes)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from api.channels.wechat import WeChatChannel
from api.channels.wechat_envelope import Envelope, ForgedPush, MalformedPush, StalePush
from api.errors import ApiError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/wechat", tags=["wechat"])


def forged() -> ApiError:
    # A new error each time: a shared instance would keep growing its traceback on every raise.
    return ApiError(403, "invalid_signature", "签名校验失败")


_MAX_BODY_BYTES = 64 * 1024  # a push is a few hundred bytes; refuse to buffer anything much larger


def get_channel(request: Request) -> WeChatChannel:
    channel: WeChatChannel = request.app.state.outbound["wechat"]
    return channel


ChannelDep = Annotated[WeChatChannel, Depends(get_channel)]


def get_envelope(channel: ChannelDep) -> Envelope:
    if channel.envelope is None:
        raise ApiError(503, "wechat_not_configured", "微信公众号渠道尚未配置")
    return channel.envelope


EnvelopeDep = Annotated[Envelope, Depends(get_envelope)]


async def _read_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY_BYTES:
            raise ApiError(413, "push_too_large", "消息过大")
    return bytes(body)


@router.get("", response_class=PlainTextResponse)
async def verify_url(request: Request, envelope: EnvelopeDep) -> PlainTextResponse:
    """WeChat checks the server URL once when it is configured: echo `echostr` if the signature is ours."""
    try:
        envelope.check(request.query_params)
    except ForgedPush:
        raise forged() from None
    return PlainTextResponse(request.query_params.get("echostr", ""))


@router.post("")
async def receive_push(request: Request, channel: ChannelDep, envelope: EnvelopeDep) -> Response:
    try:
        push = envelope.open(request.query_params, await _read_body(request))
    except ForgedPush:
        raise forged() from None
    except StalePush:
        logger.warning("wechat push refused: its timestamp is outside the replay window")
        raise ApiError(403, "stale_push", "消息已过期") from None
    except MalformedPush as exc:
        logger.info("malformed wechat push: %s", exc)
        raise ApiError(400, "malformed_push", "消息格式不正确") from None
    text = await channel.reply(push.message)
    if text is None:
        return PlainTextResponse("success")  # WeChat's "received, no passive reply"
    return Response(envelope.seal(push, text), media_type="application/xml")
