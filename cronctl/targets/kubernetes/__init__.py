"""The kubernetes target: jobs as batch/v1 CronJobs in a multi-document manifest file, for a
GitOps flow (commit the file; Argo CD, Flux or `kubectl apply --prune` applies it)."""
