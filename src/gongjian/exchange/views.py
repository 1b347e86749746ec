from django.http import HttpResponse


def import_projects(request):
    return HttpResponse("not built yet", status=501)


export_projects = project_template = import_projects
