//! Built by tests/docs.rs in a crate of the user's: test fixtures of response models, made
//! with their constructors and setters (the models are `#[non_exhaustive]`, so no struct
//! literal), never from JSON.

use airflow_client::models::{
    HitlDetail, HitlUser, TaskInstanceCollectionResponse, TaskInstanceResponse, TaskInstanceState,
};

fn main() {
    let instance = TaskInstanceResponse::default()
        .task_id("extract")
        .dag_id(String::from("etl"))
        .try_number(2)
        .state(TaskInstanceState::Failed)
        .note("flaky upstream");
    let page = TaskInstanceCollectionResponse::default()
        .task_instances(vec![instance.clone()])
        .total_entries(1);
    assert_eq!(page.task_instances[0].try_number, 2);
    let detail = HitlDetail::new(instance).options(vec!["Approve".to_string()]);
    let user = HitlUser::default().id("admin").name("admin");
    println!("{detail:?} {user:?}");
}
