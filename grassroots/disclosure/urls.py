from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("boards/new/", views.board_new, name="board_new"),
    path("boards/<int:pk>/", views.board, name="board"),
    path("boards/<int:pk>/manage/", views.board_manage, name="manage"),
    path("boards/<int:pk>/languages/", views.board_languages, name="languages"),
    path("boards/<int:pk>/notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/print/", views.notice_print, name="print"),
    path("notices/<int:pk>/qr.svg", views.notice_qr, name="qr"),
    path("notices/<int:pk>/chat.txt", views.notice_chat, name="chat"),
    path("notices/<int:pk>/loudspeaker.txt", views.notice_loudspeaker, name="loudspeaker"),
    path("notices/<int:pk>/object/", views.object_, name="object"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="publish"),
    path("notices/<int:pk>/confirm/", views.notice_confirm, name="confirm"),
    path("notices/<int:pk>/correct/", views.notice_correct, name="correct"),
    path("notices/<int:pk>/roster.xlsx", views.roster_download, name="roster"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
]
