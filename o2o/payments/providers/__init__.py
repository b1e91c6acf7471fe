"""Registry of payment providers behind the port in base.py."""

from o2o.core.errors import Invalid
from o2o.payments.providers.base import PaymentProvider
from o2o.payments.providers.cash import CashProvider
from o2o.payments.providers.sandbox import SandboxProvider

_PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider(), "cash": CashProvider()}


def get_provider(name: str) -> PaymentProvider:
    try:
        return _PROVIDERS[name]
    except (KeyError, TypeError):
        raise Invalid("Unknown payment provider.", fields={"provider": f"one of {sorted(_PROVIDERS)}"}) from None
