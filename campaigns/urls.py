from django.urls import path

from campaigns.views import board, campaigns, content, moves

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("add/", campaigns.campaign_add, name="campaign_add"),
    path("brief-check/", campaigns.campaign_brief_check, name="campaign_brief_check"),
    path("<int:pk>/", board.campaign_board, name="campaign_board"),
    path("<int:pk>/more/", board.board_more, name="board_more"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<int:pk>/people/", board.influencer_search, name="influencer_search"),
    path("<int:pk>/shortlist/", board.shortlist, name="relationship_shortlist"),
    path("relationships/<int:pk>/pitch/", moves.pitch, name="relationship_pitch"),
    path("relationships/<int:pk>/accept/", moves.accept, name="relationship_accept"),
    path("relationships/<int:pk>/deliver/", moves.deliver, name="relationship_deliver"),
    path("relationships/<int:pk>/close/", moves.close, name="relationship_close"),
    path("relationships/<int:pk>/content/", content.content_review, name="content_review"),
]
