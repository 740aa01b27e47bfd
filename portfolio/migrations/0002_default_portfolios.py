from django.db import migrations


def create_default_portfolios(apps, schema_editor):
    """Workspaces made before portfolios existed get their default one."""
    Workspace = apps.get_model("thrive", "Workspace")
    Portfolio = apps.get_model("portfolio", "Portfolio")
    for workspace in Workspace.objects.exclude(portfolios__is_default=True):
        Portfolio.objects.create(workspace=workspace, name="Main portfolio", is_default=True)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_initial"),
        ("thrive", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_default_portfolios, migrations.RunPython.noop)]
