def test_every_role_group_exists_after_migrate(db):
    from django.contrib.auth.models import Group

    from gongjian.accounts.roles import Role

    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
