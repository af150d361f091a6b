"""Mints a JWT for the end-to-end tests with PyJWT (a third-party library),
or crafts the forgeries a server must refuse. Prints the token.

  mint_token.py --key FILE --alg HS256 --claims JSON      PyJWT, HMAC secret in FILE
  mint_token.py --alg none --claims JSON                  PyJWT's unsigned token
  mint_token.py --rsa-private FILE --claims JSON          RS256 (signature by openssl)
  mint_token.py --confuse-with FILE --claims JSON         HS256 keyed with FILE's bytes
                                                          (an RSA public key: the HS/RS confusion
                                                          PyJWT itself refuses to produce)
"""
import argparse
import base64
import hashlib
import hmac
import json
import subprocess

import jwt


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signing_input(alg: str, claims: dict) -> bytes:
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}".encode()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--claims", required=True)
    p.add_argument("--alg", default="HS256")
    p.add_argument("--key")
    p.add_argument("--rsa-private")
    p.add_argument("--confuse-with")
    a = p.parse_args()
    claims = json.loads(a.claims)
    if a.confuse_with:
        secret = open(a.confuse_with, "rb").read()
        message = signing_input("HS256", claims)
        print(message.decode() + "." + b64(hmac.new(secret, message, hashlib.sha256).digest()))
    elif a.rsa_private:
        message = signing_input("RS256", claims)
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.rsa_private],
                                   input=message, capture_output=True, check=True).stdout
        print(message.decode() + "." + b64(signature))
    elif a.alg == "none":
        print(jwt.encode(claims, None, algorithm="none"))
    else:
        key = open(a.key, "rb").read().rstrip(b"\n")
        print(jwt.encode(claims, key, algorithm=a.alg))


if __name__ == "__main__":
    main()
