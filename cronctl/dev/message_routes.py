"""The routes of messages, queues, URL groups and flow control (each module holds its handlers)."""

from __future__ import annotations

from starlette.routing import Route

from . import flow_api, messages, queue_api, topics

ROUTES = [
    Route("/v2/publish/{destination:path}", messages.publish, methods=["POST"]),
    Route("/v2/enqueue/{destination:path}", messages.enqueue, methods=["POST"]),
    Route("/v2/batch", messages.batch, methods=["POST"]),
    Route("/v2/messages", messages.cancel_many, methods=["DELETE"]),
    Route("/v2/messages/{id}", messages.get_message, methods=["GET"]),
    Route("/v2/messages/{id}", messages.cancel_message, methods=["DELETE"]),
    Route("/v2/queues", queue_api.upsert_queue, methods=["POST"]),
    Route("/v2/queues", queue_api.list_queues, methods=["GET"]),
    Route("/v2/queues/{name}", queue_api.get_queue, methods=["GET"]),
    Route("/v2/queues/{name}", queue_api.delete_queue, methods=["DELETE"]),
    Route("/v2/queues/{name}/pause", queue_api.pause_queue, methods=["POST"]),
    Route("/v2/queues/{name}/resume", queue_api.resume_queue, methods=["POST"]),
    Route("/v2/topics", topics.list_topics, methods=["GET"]),
    Route("/v2/topics/{name}", topics.get_topic, methods=["GET"]),
    Route("/v2/topics/{name}", topics.delete_topic, methods=["DELETE"]),
    Route("/v2/topics/{name}/endpoints", topics.add_endpoints, methods=["POST"]),
    Route("/v2/topics/{name}/endpoints", topics.remove_endpoints, methods=["DELETE"]),
    Route("/v2/flowControl", flow_api.list_keys, methods=["GET"]),
    Route("/v2/flowControl/{key}", flow_api.get_key, methods=["GET"]),
    Route("/v2/flowControl/{key}/pause", flow_api.pause_key, methods=["POST"]),
    Route("/v2/flowControl/{key}/resume", flow_api.resume_key, methods=["POST"]),
    Route("/v2/flowControl/{key}/pin", flow_api.pin_key, methods=["POST"]),
    Route("/v2/flowControl/{key}/unpin", flow_api.unpin_key, methods=["POST"]),
    Route("/v2/flowControl/{key}/resetRate", flow_api.reset_rate, methods=["POST"]),
    Route("/v2/globalParallelism", flow_api.global_parallelism, methods=["GET"]),
]
