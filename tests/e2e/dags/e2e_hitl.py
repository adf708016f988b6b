"""A run of this Dag stays running: it holds the Human-in-the-loop task and a deferred sensor.

`approve` asks a question and waits (Airflow 3.3 parks it in `awaiting_input`); `wait_forever`
defers to the triggerer for a day, so the suite also has a genuinely `deferred` task instance.

Human-in-the-loop arrived in Airflow 3.1. On older releases the standard provider refuses the
import (`AirflowOptionalProviderFeatureException`, or `ImportError` with an older provider), and
this file defines no Dag at all rather than an import error; the suite's setup knows which
releases have it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.exceptions import AirflowOptionalProviderFeatureException
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
from airflow.sdk import dag, task

try:
    from airflow.providers.standard.operators.hitl import HITLOperator
except (ImportError, AirflowOptionalProviderFeatureException):
    HITLOperator = None


@dag(
    dag_id="e2e_hitl",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["e2e"],
)
def e2e_hitl():
    @task
    def prepare():
        print("e2e: preparing the question")

    approve = HITLOperator(
        task_id="approve",
        subject="e2e: ship it?",
        body="Choose **Approve** or **Reject**.",
        options=["Approve", "Reject"],
        defaults=["Reject"],
        params={"reason": "no reason given"},
    )

    wait_forever = TimeDeltaSensor(task_id="wait_forever", delta=timedelta(days=1), deferrable=True)

    prepare() >> [approve, wait_forever]


if HITLOperator is not None:
    e2e_hitl()
