"""The campaigns web UI: the list and the brief, the pipeline board, the move dialogs."""
