"""The second factor's primitives: TOTP codes (RFC 6238), the secret sealed at rest, recovery codes, the QR code.

No state changes here: coordination.auth.operations decides, records and audits.

The secret must be readable by the server to check a code, so it cannot be hashed. It is sealed with
AES-256-GCM (the `cryptography` package) under a key that lives outside the database (TOTP_ENCRYPTION_KEY,
by default derived from SECRET_KEY with HKDF), so that a leaked backup or dump does not hand out every
user's authenticator. The user id is the cipher's associated data: a sealed secret copied onto another
user's row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup

from coordination.auth.models import Role, User

#: 30-second steps, 6 digits, SHA-1: what every authenticator app does by default (RFC 6238's defaults)
STEP_SECONDS = 30
DIGITS = 6
#: a code of the step before or after the server's is accepted too (a phone's clock a little off)
DRIFT_STEPS = 1
#: recovery codes made at enrolment and at each regeneration
RECOVERY_CODE_COUNT = 10
#: 10 random bytes: 80 bits, 16 base32 characters
RECOVERY_CODE_BYTES = 10
_SEAL_VERSION = "v2"
#: AES-GCM's standard 96-bit nonce, random per seal
_NONCE_BYTES = 12
_TOTP_CODE = re.compile(rf"^\d{{{DIGITS}}}$")


class SealBroken(Exception):
    """A sealed secret does not open: the key changed (TOTP_ENCRYPTION_KEY, SECRET_KEY) or the row was altered."""


# --- the secret, sealed -----------------------------------------------------------------------------


def _cipher() -> AESGCM:
    config = current_app.config
    material = (config.get("TOTP_ENCRYPTION_KEY") or config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"coordination totp seal").derive(material)
    return AESGCM(key)


def seal(secret: str, user_id: int) -> str:
    """Encrypt and authenticate a base32 secret for the row of `user_id`; the text stored in the database."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    ciphertext = _cipher().encrypt(nonce, secret.encode("ascii"), str(user_id).encode("ascii"))
    return f"{_SEAL_VERSION}${base64.urlsafe_b64encode(nonce + ciphertext).decode('ascii')}"


def unseal(sealed: str, user_id: int) -> str:
    """The base32 secret of a value made by `seal` for the same user; SealBroken if it does not open."""
    version, sep, body = sealed.partition("$")
    if version != _SEAL_VERSION or not sep:
        raise SealBroken("unknown seal version")
    try:
        blob = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SealBroken("not base64") from None
    try:
        plain = _cipher().decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], str(user_id).encode("ascii"))
    except (InvalidTag, ValueError):
        raise SealBroken("does not open with this key for this user") from None
    return plain.decode("ascii")


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


# --- codes ------------------------------------------------------------------------------------------


def clean_code(code: str | None) -> str:
    """The code as typed, without spaces or dashes (apps show "123 456"; recovery codes are grouped)."""
    return re.sub(r"[\s-]", "", code or "")[:64]


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(code))


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, *, after: int | None, now: float | None = None) -> int | None:
    """The time step whose code `code` is, within the allowed drift and later than `after`; None otherwise.

    A code of a step at or before `after` (the last accepted one) is a replay and does not match.
    """
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if after is not None and candidate <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    issuer = current_app.config["TOTP_ISSUER"]
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.username, issuer_name=issuer
    )


def qr_svg(uri: str, *, title: str) -> Markup:
    """The QR code of `uri` as inline SVG (no script, no data: URI: the page's CSP has nothing to allow)."""
    qr = segno.make(uri, error="m")
    # segno writes every element itself and escapes the title: nothing of the user's reaches the markup raw.
    svg = qr.svg_inline(scale=5, border=4, title=title, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's own markup, the title escaped


def grouped(secret: str) -> str:
    """The secret in groups of four, as a person copies it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- recovery codes ---------------------------------------------------------------------------------


def new_recovery_code() -> str:
    """A one-time code: 80 random bits as 16 base32 characters in four groups ("ABCD-EFGH-JKLM-NPQR")."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _normalise_recovery_code(code: str) -> str:
    # base32 has no 0, 1 or 8: a person who typed them meant O, I and B.
    return clean_code(code).upper().translate(str.maketrans("018", "OIB"))


def hash_recovery_code(user_id: int, code: str) -> str:
    """SHA-256 of "user_id:CODE".

    A plain fast hash is enough: the code is 80 random bits, so trying every code offline is out of reach,
    and the user id stops one computation from testing every user's codes at once. argon2 would add
    nothing but a slow hash per stored code on every try (a salted slow hash cannot be looked up).
    """
    return hashlib.sha256(f"{user_id}:{_normalise_recovery_code(code)}".encode()).hexdigest()


# --- who must have one ------------------------------------------------------------------------------


def required_roles() -> frozenset[Role]:
    """The roles the deployment requires a second factor of (TOTP_REQUIRED_ROLES, e.g. "admin,office")."""
    return parse_roles(current_app.config.get("TOTP_REQUIRED_ROLES", ""))


def parse_roles(value: str | list[str] | tuple[str, ...] | frozenset[str] | None) -> frozenset[Role]:
    """Roles from a comma-separated setting; ValueError names an unknown one."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    roles = set()
    for name in names:
        name = str(name).strip()
        if not name:
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            raise ValueError(f"TOTP_REQUIRED_ROLES: unknown role {name!r}") from None
    return frozenset(roles)


def is_required(user: User) -> bool:
    """Whether the deployment requires this user to sign in with a second factor."""
    return user.role in required_roles()
