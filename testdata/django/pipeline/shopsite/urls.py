from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="index.html")),
    path("cart/", TemplateView.as_view(template_name="shop/cart.html")),
]
