"""The benchmark database (`python -m bench.seed`): the companies and their customers
(customers.py, from customer_data.py), the big company's orders (orders.py, from
order_data.py), and the reminders laid out over them for the reminder scan (reminders.py).
Each step records what it did in the bench state, and is reused when it is there."""
