"""The steps of one entity sync run, as plain functions the DAG tasks call."""
