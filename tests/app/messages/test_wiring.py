from __future__ import annotations

from pathlib import Path

from app.composition import build_senders
from app.messages.file_sender import FileEmailSender
from app.messages.log_sender import LogSender
from app.messages.outbox import Channel
from app.messages.push_sender import ExpoPushSender
from app.messages.sms_sender import TwilioSmsSender
from app.messages.smtp_sender import SmtpSender
from app.settings import Settings
from app.store.store import Store


async def test_the_embedded_default_writes_eml_files_and_logs_push_and_sms(tmp_path: Path, store: Store) -> None:
    senders = build_senders(Settings(data_dir=tmp_path, _env_file=None), store)
    assert isinstance(senders[Channel.EMAIL], FileEmailSender)
    assert isinstance(senders[Channel.PUSH], LogSender)
    assert isinstance(senders[Channel.SMS], LogSender)
    assert (tmp_path / "outbox").is_dir()


async def test_providers_are_chosen_by_settings(tmp_path: Path, store: Store) -> None:
    settings = Settings(
        data_dir=tmp_path,
        smtp_url="smtps://u:p@mail.example.com",
        expo_access_token="expo",
        twilio_account_sid="AC1",
        twilio_auth_token="t",
        twilio_from="+15550000000",
        _env_file=None,
    )
    senders = build_senders(settings, store)
    assert isinstance(senders[Channel.EMAIL], SmtpSender)
    assert isinstance(senders[Channel.PUSH], ExpoPushSender)
    assert isinstance(senders[Channel.SMS], TwilioSmsSender)
    for sender in senders.values():
        await sender.aclose()
