"""Scheduled work of the accounts: record the API tokens that expired."""

from gongjian.accounts import services


def record_token_expiries() -> str:
    return f"{services.record_token_expiries()} 个过期（已记入审计）"
