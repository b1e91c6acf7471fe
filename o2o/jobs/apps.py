from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "o2o.jobs"
    label = "jobs"

    def ready(self) -> None:
        from o2o.jobs import books, fulfilment, tasks  # noqa: F401  (tasks registers its periodic sweep)
        from o2o.orders import fulfilment as order_fulfilment
        from o2o.payments.books import register_books

        order_fulfilment.register(fulfilment.JobFulfilment())
        register_books(books.jobs_books_problems)
