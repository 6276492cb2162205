"""The access log says what happened (第三十三条): opening an item's page is 查看, a 播放 is logged
only when playback starts (the player's first request for the bytes), a download is 下载."""

from __future__ import annotations

from casetrail.conftest import client_for, film
from casetrail.evidence.models import AccessLog
from casetrail.evidence.views import access_of_media_request


def logged(item):
    return list(AccessLog.objects.filter(item=item).order_by("id").values_list("what", flat=True))


def test_it_logs_view_play_and_download_as_they_happen(open_case, personas, evidence_store):
    item = film(open_case, personas["zhang"])
    li = client_for("li")
    page = li.get(f"/evidence/{item.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'preload="none"' in html and 'preload="metadata"' not in html
    assert logged(item) == ["view"]  # no 播放 that never happened
    media = f"/evidence/{item.pk}/media"
    assert li.get(media, headers={"Range": "bytes=0-"}).status_code == 206
    assert logged(item) == ["view", "play"]
    assert li.get(media, headers={"Range": "bytes=100-"}).status_code == 206  # seeking
    assert logged(item) == ["view", "play"]
    assert li.get(media + "?download=1").status_code == 200
    assert logged(item) == ["view", "play", "download"]
    shown = li.get(f"/evidence/{item.pk}/").content.decode()
    assert "播放" in shown and "下载" in shown and "查看" in shown


def test_it_counts_a_photo_in_its_page_as_the_page_view():
    photo = {"download": False, "range_header": "", "media_type": "image/jpeg"}
    assert access_of_media_request(**photo, fetch_dest="image") is None
    assert access_of_media_request(**photo, fetch_dest="document") == AccessLog.What.VIEW
    video = {"download": False, "media_type": "video/mp4", "fetch_dest": "video"}
    assert access_of_media_request(**video, range_header="") == AccessLog.What.PLAY
    assert access_of_media_request(**video, range_header="bytes=0-") == AccessLog.What.PLAY
    assert access_of_media_request(**video, range_header="bytes=5000-") is None
    assert (
        access_of_media_request(
            download=True, range_header="bytes=5-", media_type="video/mp4", fetch_dest=""
        )
        == AccessLog.What.DOWNLOAD
    )
