"""Data for the Task Instance end-to-end tests (see tests/e2e/FACTS.md).

One run of this Dag leaves, once finished:
- `start`: a plain task that succeeded on its first try;
- `square` mapped over three inputs (map indexes 0, 1, 2);
- `flaky`: failed on try 1, succeeded on try 2 (two entries in its tries history);
- `choose` branching to `branch_taken`, so `branch_skipped` ends skipped;
- the task group `group` holding `group.inner_a` -> `group.inner_b`;
- `trigger`, which starts a run of `e2e_triggered` and so has a "Triggered DAG" extra link;
- `end`, which runs whatever the branch did.
Every task logs a line the tests look for.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task, task_group

log = logging.getLogger(__name__)


@dag(
    dag_id="e2e_task_instances",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["e2e"],
    default_args={"retries": 0},
)
def e2e_task_instances():
    @task
    def start():
        print("e2e: start ran")
        log.info("e2e: start logged through logging")
        return [1, 2, 3]

    @task
    def square(x: int) -> int:
        print(f"e2e: square of {x}")
        return x * x

    # The retry delay is short so the run still finishes in seconds.
    @task(retries=1, retry_delay=timedelta(seconds=1))
    def flaky(ti=None):
        print(f"e2e: flaky try {ti.try_number}")
        if ti.try_number == 1:
            raise RuntimeError("e2e: flaky fails on its first try")
        return "recovered"

    @task.branch
    def choose():
        print("e2e: choosing branch_taken")
        return "branch_taken"

    @task
    def branch_taken():
        print("e2e: branch_taken ran")

    @task
    def branch_skipped():
        print("e2e: branch_skipped must never run")

    @task_group(group_id="group")
    def group():
        @task
        def inner_a():
            print("e2e: group.inner_a ran")
            return "a"

        @task
        def inner_b(value: str):
            print(f"e2e: group.inner_b got {value}")

        inner_b(inner_a())

    # `end` must run although one branch is skipped.
    @task(trigger_rule="none_failed_min_one_success")
    def end():
        print("e2e: end ran")

    # The triggered run's id is derived from ours, so the extra link is predictable.
    trigger = TriggerDagRunOperator(
        task_id="trigger",
        trigger_dag_id="e2e_triggered",
        trigger_run_id="triggered__{{ run_id }}",
    )

    numbers = start()
    squares = square.expand(x=numbers)
    branch = choose()
    taken = branch_taken()
    skipped = branch_skipped()
    branch >> [taken, skipped]
    [squares, flaky(), taken, skipped, group(), trigger] >> end()


e2e_task_instances()
