"""`digest --mail-to`: the digest as an email, through SMTP with the standard library.

The config's `mail:` section says how: host (default localhost: the machine's own
mail server, as cron's mail uses), port, security (starttls, the default for another
host; ssl; none, the default for localhost, and with a password only there), user and
from. The password is never read from the config file: it comes from the environment
variable named by `mail.password_env` (PAPERTRIAGE_SMTP_PASSWORD by default). The
message is multipart/alternative: the Markdown as text/plain, rendered as text/html.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from ..config import check_keys
from ..errors import ConfigError, DeliveryError
from .markdown import to_html

PASSWORD_ENV = "PAPERTRIAGE_SMTP_PASSWORD"
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
SCHEMA: dict[str, type | tuple[type, ...]] = {
    "host": str, "port": int, "security": str, "user": str, "from": str,
    "password_env": str, "timeout": (int, float),
}  # fmt: skip
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    sender: str | None = None
    password_env: str = PASSWORD_ENV
    timeout: float = 30.0

    @property
    def from_address(self) -> str:
        return self.sender or self.user or "papertriage@localhost"

    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


def mail_settings(config: dict[str, Any]) -> MailSettings:
    """The `mail:` section, checked (a `password` key is refused: use the environment)."""
    path = str(config.get("_path", "config"))
    section = dict(config.get("mail") or {})
    if "password" in section:
        raise ConfigError(
            f"{path}: 'mail.password' is not read from the config file; put the password "
            f"in the environment variable {section.get('password_env') or PASSWORD_ENV}"
        )
    check_keys(path, "mail", section, SCHEMA)
    host = section.get("host") or "localhost"
    security = section.get("security") or ("none" if host in LOCAL_HOSTS else "starttls")
    if security not in SECURITY:
        raise ConfigError(
            f"{path}: 'mail.security' is one of {', '.join(SECURITY)}, not {security!r}"
        )
    return MailSettings(
        host=host,
        port=int(section.get("port") or DEFAULT_PORTS[security]),
        security=security,
        user=section.get("user"),
        sender=section.get("from"),
        password_env=section.get("password_env") or PASSWORD_ENV,
        timeout=float(section.get("timeout") or 30.0),
    )


def message(markdown: str, subject: str, to: list[str], sender: str) -> EmailMessage:
    """The email: the Markdown as text/plain, and rendered as text/html."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(markdown, subtype="plain", charset="utf-8")
    msg.add_alternative(to_html(markdown, subject), subtype="html", charset="utf-8")
    return msg


def send(settings: MailSettings, msg: EmailMessage) -> None:
    """Send through the configured server; DeliveryError (one line) if anything fails."""
    where = f"SMTP {settings.host}:{settings.port}"
    password = settings.password()
    if settings.user and password is None:
        raise DeliveryError(
            f"{where}: mail.user is set but ${settings.password_env} is empty: no password to log in with"
        )
    if settings.security == "none" and password and settings.host not in LOCAL_HOSTS:
        raise DeliveryError(
            f"{where}: security none would send the password in clear; use starttls or ssl"
        )
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.user and password:
                smtp.login(settings.user, password)
            refused = smtp.send_message(msg)
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: the server does not offer STARTTLS ({exc})") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: login as {settings.user} refused ({exc.smtp_code})"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where}: recipients refused: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise DeliveryError(f"{where}: {exc.smtp_code} {text}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {exc or type(exc).__name__}") from None
    if refused:
        raise DeliveryError(f"{where}: recipients refused: {', '.join(refused)}")


def mail_digest(config: dict[str, Any], markdown: str, subject: str, to: list[str]) -> None:
    settings = mail_settings(config)
    send(settings, message(markdown, subject, to, settings.from_address))
