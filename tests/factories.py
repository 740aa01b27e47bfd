"""factory_boy factories for the rows most tests need."""

from __future__ import annotations

import factory

from thrive.models import Membership, User, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.django.Password("correct horse battery")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")

    @factory.post_generation
    def default_portfolio(obj, create, extracted, **kwargs):
        if create:
            from portfolio.services import portfolio_default_ensure

            portfolio_default_ensure(workspace=obj)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Membership.Role.MEMBER


class ExchangeConnectionFactory(factory.django.DjangoModelFactory):
    """A connection row without a credential: for pages and rules that never call an exchange.

    Give each live connection of one workspace its own exchange: one account is one live
    connection per exchange.
    """

    class Meta:
        model = "connections.ExchangeConnection"

    workspace = factory.SubFactory(WorkspaceFactory)
    exchange = "binance"
    label = factory.Sequence(lambda n: f"Account {n}")
    portfolio = factory.LazyAttribute(lambda connection: _default_portfolio(connection.workspace))
    api_key_hint = "WXYZ"
    api_key_fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    status = "connected"


def _default_portfolio(workspace):
    from portfolio.services import portfolio_default_ensure

    return portfolio_default_ensure(workspace=workspace)
