"""Started by `e2e_task_instances.trigger`; unpaused from the start so its runs finish."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task


@dag(
    dag_id="e2e_triggered",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["e2e"],
    is_paused_upon_creation=False,
)
def e2e_triggered():
    @task
    def triggered():
        print("e2e: triggered ran")

    triggered()


e2e_triggered()
