"""/.well-known/security.txt (RFC 9116), from settings."""


def test_security_txt_comes_from_settings(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@clinic.example"
    settings.SECURITY_TXT_EXPIRES = "2027-11-01T00:00:00Z"

    response = client.get(
        "/.well-known/security.txt", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@clinic.example" in lines
    assert "Expires: 2027-11-01T00:00:00Z" in lines
    assert "Canonical: https://localhost/.well-known/security.txt" in lines
