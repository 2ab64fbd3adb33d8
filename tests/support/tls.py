"""A test certificate authority: receivers get certificates from it, clients trust its PEM file."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class CertificateAuthority:
    ca: trustme.CA
    bundle: Path  # the CA certificate as PEM, for REQUESTS_CA_BUNDLE and other clients

    @classmethod
    def create(cls, directory: Path) -> "CertificateAuthority":
        ca = trustme.CA()
        bundle = directory / "test-ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        return cls(ca, bundle)

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context with a certificate for 127.0.0.1 and localhost."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context
