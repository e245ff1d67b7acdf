"""What the benchmark measures, one module a family (customers, orders, reminders,
webhooks): each declares its scenario keys, the load each puts on which server, and the
facts it needs from the seeded data."""
