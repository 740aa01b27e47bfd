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
