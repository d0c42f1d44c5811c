"""A WeChat image message: fetched by its MediaId from the (fake) WeChat API, stored as the resident's photo,
and the conversation goes on with `/share_photo{"photo_id": …}`; refused types and lost media answered in
Chinese without reaching the assistant."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Photo
from api.replies import PHOTO_NOT_RECEIVED
from api.senders import wechat_sender
from api.settings import Settings
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi

OPENID = "oLuAn_resident_0000000000077"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4


def photos_of(settings: Settings, openid: str) -> list[Photo]:
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        return list(session.scalars(select(Photo).where(Photo.sender == openid)))


def test_an_image_is_stored_and_shared_with_the_assistant(
    make_settings: Callable[..., Settings],
    start_gateway: Callable[[Settings], Gateway],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
    tmp_path: Path,
) -> None:
    settings = make_settings(photo_dir=tmp_path / "photos")
    wechat = WeChatServer(start_gateway(settings))
    wechat_api.media["MEDIA-1"] = JPEG
    push = wechat.message(OPENID, "image", msg_id=7001, PicUrl="http://example.invalid/1.jpg", MediaId="MEDIA-1")
    answer = wechat.reply_text(wechat.push(push))

    [photo] = photos_of(settings, wechat_sender(OPENID))  # kept as the gateway knows the resident
    assert (photo.content_type, photo.size) == ("image/jpeg", len(JPEG))
    assert (tmp_path / "photos" / photo.id).read_bytes() == JPEG
    sent = '/share_photo{"photo_id":"' + photo.id + '"}'
    assert rasa.messages() == [sent] and json.loads(sent.removeprefix("/share_photo")) == {"photo_id": photo.id}
    assert answer == FakeRasa.echo(sent)


def test_a_refused_or_lost_image_is_answered_in_chinese(
    make_settings: Callable[..., Settings],
    start_gateway: Callable[[Settings], Gateway],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
    tmp_path: Path,
) -> None:
    settings = make_settings(photo_dir=tmp_path / "photos", photo_max_bytes=2048)
    wechat = WeChatServer(start_gateway(settings))
    wechat_api.media["GIF"] = b"GIF89a" + b"\x00" * 32
    wechat_api.media["BIG"] = JPEG + b"\x00" * 2048
    answers = [
        wechat.reply_text(wechat.push(wechat.message(OPENID, "image", msg_id=7100 + i, MediaId=media_id)))
        for i, media_id in enumerate(("GIF", "BIG", "NO-SUCH-MEDIA"))
    ]
    assert answers == ["只能发送 JPG、PNG 或 WebP 格式的照片", "照片太大了，请发送不超过2KB的照片", PHOTO_NOT_RECEIVED]
    assert rasa.calls == [] and photos_of(settings, wechat_sender(OPENID)) == []
    assert not (tmp_path / "photos").exists() or not any((tmp_path / "photos").iterdir())
