from django.urls import path

from o2o.web.views import auth, counter, customer, merchant, ordering_customer, reviews

app_name = "web"
urlpatterns = [
    # customer
    path("", customer.home, name="home"),
    path("stores/<uuid:store_id>/", customer.store_detail, name="store"),
    path("deals/<uuid:offering_id>/", customer.deal_detail, name="deal"),
    path("deals/<uuid:offering_id>/buy/", customer.checkout, name="checkout"),
    path("orders/", customer.orders, name="orders"),
    path("orders/<uuid:order_id>/", customer.order_detail, name="order"),
    path("orders/<uuid:order_id>/pay/", customer.order_pay_view, name="order_pay"),
    path("orders/<uuid:order_id>/status/", customer.order_status, name="order_status"),
    path("orders/<uuid:order_id>/refund/", customer.order_refund_view, name="order_refund"),
    path("orders/<uuid:order_id>/review/", reviews.order_review, name="order_review"),
    path("reviews/<uuid:review_id>/edit/", reviews.review_edit, name="review_edit"),
    # ordering: customer (p1)
    path("t/<str:token>/", ordering_customer.table_menu, name="table_menu"),
    path("stores/<uuid:store_id>/order/", ordering_customer.store_order, name="store_order"),
    path("stores/<uuid:store_id>/order/slots/", ordering_customer.store_order_slots, name="store_order_slots"),
    path("orders/<uuid:order_id>/progress/", ordering_customer.order_progress, name="order_progress"),
    # accounts
    path("signup/", auth.signup, name="signup"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invite/<str:token>/", auth.invite_accept, name="invite"),
    # merchant console
    path("merchant/", merchant.console_home, name="console"),
    path("merchant/new/", merchant.merchant_new, name="merchant_new"),
    path("merchant/<uuid:merchant_id>/", merchant.dashboard, name="dashboard"),
    path("merchant/<uuid:merchant_id>/stores/new/", merchant.store_new, name="store_new"),
    path("merchant/<uuid:merchant_id>/stores/<uuid:store_id>/edit/", merchant.store_edit, name="store_edit"),
    path("merchant/<uuid:merchant_id>/staff/", merchant.staff, name="staff"),
    path("merchant/<uuid:merchant_id>/deals/new/", merchant.deal_new, name="deal_new"),
    path("merchant/<uuid:merchant_id>/deals/<uuid:offering_id>/edit/", merchant.deal_edit, name="deal_edit"),
    path("merchant/<uuid:merchant_id>/deals/<uuid:offering_id>/status/", merchant.deal_status, name="deal_status"),
    path("merchant/<uuid:merchant_id>/staff/<uuid:staff_id>/role/", merchant.staff_role_view, name="staff_role"),
    path("merchant/<uuid:merchant_id>/staff/<uuid:staff_id>/remove/", merchant.staff_remove_view,
         name="staff_remove"),
    path("merchant/<uuid:merchant_id>/audit/", merchant.audit, name="audit"),
    path("merchant/<uuid:merchant_id>/vouchers/<uuid:voucher_id>/", merchant.voucher_trail_view,
         name="voucher_trail"),
    path("merchant/<uuid:merchant_id>/conflicts/", merchant.conflicts, name="conflicts"),
    path("merchant/<uuid:merchant_id>/conflicts/<uuid:conflict_id>/resolve/", merchant.conflict_resolve_view,
         name="conflict_resolve"),
    path("merchant/<uuid:merchant_id>/reviews/", merchant.reviews, name="reviews"),
    path("merchant/<uuid:merchant_id>/reviews/<uuid:review_id>/reply/", merchant.review_reply_view,
         name="review_reply"),
    # counter
    path("counter/", counter.counter_home, name="counter"),
    path("counter/<uuid:store_id>/", counter.counter_store, name="counter_store"),
    path("counter/sw.js", counter.counter_service_worker, name="counter_sw"),
]
