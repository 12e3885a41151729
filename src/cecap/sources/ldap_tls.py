"""TLS for ldaps:// endpoints: the context, a handshake under the deadline, and what a
failed handshake means to an operator."""

from __future__ import annotations

import os
import re
import select
import socket
import ssl
from collections.abc import Callable

from ..errors import SourceUnavailable

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = (62, 64)


def tls_context(origin: str, ca_dir: str) -> ssl.SSLContext:
    """Verification against the grid CA directory ``ca_dir`` only; the certificate must
    name the host (or IP address) cecap was given."""
    if not os.path.isdir(ca_dir):
        raise SourceUnavailable(
            f"{origin}: CA directory {ca_dir} does not exist; set"
            " X509_CERT_DIR or pass --ca-dir to a folder of hashed CA certificates"
        )
    return ssl.create_default_context(capath=ca_dir)


def handshake(
    context: ssl.SSLContext, plain: socket.socket, host: str, left: Callable[[], float]
) -> ssl.SSLSocket:
    """The TLS handshake on ``plain``; each wait is bounded by ``left()``, the seconds left
    (which raises once there are none): a server that drips its certificate a byte at a
    time is cut off at the deadline, not given a fresh timeout per byte."""
    tls = context.wrap_socket(plain, server_hostname=host, do_handshake_on_connect=False)
    try:
        tls.setblocking(False)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                select.select([tls], [], [], left())
            except ssl.SSLWantWriteError:
                select.select([], [tls], [], left())
        tls.settimeout(left())
    except BaseException:
        tls.close()  # the TLS socket holds the connection now, not ldap3
        raise
    return tls


def tls_failure(origin: str, host: str, ca_dir: str, exc: BaseException) -> SourceUnavailable:
    """A failed handshake said for an operator: wrong host, unverified CA, or not TLS."""
    text = str(exc)
    if getattr(exc, "verify_code", None) in _NAME_MISMATCH:
        return SourceUnavailable(
            f"{origin}: TLS failed: the server certificate is not for {host!r}"
        )
    found = re.search(r"\[SSL: (\w+)\] ([^(]*)", text)
    reason = found.group(2).strip().rstrip("'\",") if found else text
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc, ssl.SSLCertVerificationError):
        return SourceUnavailable(
            f"{origin}: TLS failed, the server certificate was not verified against"
            f" the CA directory {ca_dir} ({reason}); set X509_CERT_DIR or pass"
            " --ca-dir to the folder that holds its CA"
        )
    return SourceUnavailable(
        f"{origin}: TLS handshake failed ({reason}); is this an ldaps:// port?"
    )
