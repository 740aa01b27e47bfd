"""The core's signing helpers agree with what ccxt signs, so exchange modules can rely on them."""

from __future__ import annotations

from urllib.parse import parse_qs

import ccxt

from sync.simulator.signing import (
    derive_alphanumeric,
    derive_base64,
    derive_ec_private_key_pem,
    hmac_sha256_base64,
    hmac_sha256_hex,
    kraken_signature,
    verify_es256_jwt,
)


def test_derived_key_material_depends_on_seed_and_label_only():
    assert derive_alphanumeric(1, "binance:demo") == derive_alphanumeric(1, "binance:demo")
    assert derive_alphanumeric(1, "binance:demo") != derive_alphanumeric(2, "binance:demo")
    assert derive_alphanumeric(1, "binance:demo") != derive_alphanumeric(1, "binance:expired")
    assert derive_ec_private_key_pem(1, "x") == derive_ec_private_key_pem(1, "x")


def test_binance_query_signature_matches_ccxt():
    secret = derive_alphanumeric(3, "binance")
    client = ccxt.binance({"apiKey": derive_alphanumeric(3, "key"), "secret": secret})

    signed = client.sign("account", ["private"], "GET", {})

    query, _, signature = signed["url"].partition("?")[2].rpartition("&signature=")
    assert hmac_sha256_hex(secret, query) == signature


def test_passphrase_hmac_matches_ccxt_okx():
    secret = derive_alphanumeric(3, "okx")
    client = ccxt.okx({"apiKey": "key", "secret": secret, "password": "phrase"})

    signed = client.sign("account/balance", ["private"], "GET", {})

    headers = signed["headers"]
    message = headers["OK-ACCESS-TIMESTAMP"] + "GET" + "/api/v5/account/balance"
    assert hmac_sha256_base64(secret, message) == headers["OK-ACCESS-SIGN"]


def test_kraken_signature_matches_ccxt():
    secret = derive_base64(3, "kraken")
    client = ccxt.kraken({"apiKey": "key", "secret": secret})

    signed = client.sign("Balance", ["private"], "POST", {})

    nonce = parse_qs(signed["body"])["nonce"][0]
    expected = kraken_signature(secret, "/0/private/Balance", nonce, signed["body"])
    assert expected == signed["headers"]["API-Sign"]


def test_es256_jwt_of_a_coinbase_cdp_key_verifies_against_its_derived_key():
    pem = derive_ec_private_key_pem(3, "coinbase")
    key_name = "organizations/sim/apiKeys/demo"
    client = ccxt.coinbase({"apiKey": key_name, "secret": pem})

    token = client.create_auth_token(1_700_000_000, "GET", "https://api.coinbase.com/api/v3/x")

    claims = verify_es256_jwt(token, pem)
    assert claims is not None and claims["sub"] == key_name
    assert claims["uri"] == "GET api.coinbase.com/api/v3/x"
    assert verify_es256_jwt(token, derive_ec_private_key_pem(4, "coinbase")) is None
    assert verify_es256_jwt(token[:-4] + "AAAA", pem) is None
