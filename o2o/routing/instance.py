"""Li & Lim PDPTW instance files (format: shared/data/routing/README.md) -> ``Problem``.

First line ``vehicles capacity speed``; then one line per node ``index x y demand ready due service
pickup_index delivery_index``, node 0 the depot. A pickup has pickup_index 0 and names its delivery; a
delivery names its pickup and carries the opposite of its demand. Travel time is the Euclidean
distance: the third header field is read but not used (it is 0 in some of the published files).

Every problem is reported as an ``InstanceError`` naming the line, never as a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path

from o2o.routing.problem import InstanceError, Node, Problem, Request

_NODE_FIELDS = ("index", "x", "y", "demand", "ready", "due", "service", "pickup_index", "delivery_index")


def read_instance(path: str | Path) -> Problem:
    """Read and validate one instance file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InstanceError(f"{path}: is a directory, not an instance file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InstanceError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        return parse_instance(text, name=path.stem)
    except InstanceError as exc:
        raise InstanceError(f"{path}: {exc}") from None


def _number(token: str, what: str, line_no: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InstanceError(f"line {line_no}: {what} {token!r} is not a number") from None
    if not math.isfinite(value):
        raise InstanceError(f"line {line_no}: {what} {token!r} is not a finite number")
    return value


def _whole(token: str, what: str, line_no: int) -> int:
    value = _number(token, what, line_no)
    if value != int(value):
        raise InstanceError(f"line {line_no}: {what} {token!r} is not a whole number")
    return int(value)


def parse_instance(text: str, *, name: str = "instance") -> Problem:
    """Parse the text of an instance; raises ``InstanceError`` with the line at fault."""
    lines = [(no, line.split()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise InstanceError("empty file: expected a header line 'vehicles capacity speed'")
    header_no, header = lines[0]
    if len(header) != 3:
        raise InstanceError(
            f"line {header_no}: the header needs 3 fields 'vehicles capacity speed', found {len(header)}"
        )
    vehicles = _whole(header[0], "vehicles", header_no)
    capacity = _whole(header[1], "capacity", header_no)
    speed = _number(header[2], "speed", header_no)
    if vehicles < 1:
        raise InstanceError(f"line {header_no}: vehicles must be at least 1, found {vehicles}")
    if capacity < 1:
        raise InstanceError(f"line {header_no}: capacity must be at least 1, found {capacity}")
    if speed < 0:
        raise InstanceError(f"line {header_no}: speed must not be negative, found {header[2]}")
    if len(lines) < 2:
        raise InstanceError("no nodes: expected the depot (node 0) after the header")

    nodes: list[Node] = []
    links: list[tuple[int, int, int]] = []  # (pickup_index, delivery_index, line number) per node
    for position, (no, fields) in enumerate(lines[1:]):
        if len(fields) != len(_NODE_FIELDS):
            raise InstanceError(f"line {no}: a node needs {len(_NODE_FIELDS)} fields, found {len(fields)}")
        index = _whole(fields[0], "index", no)
        if index != position:
            raise InstanceError(f"line {no}: node index {index} out of order, expected {position}")
        x, y = _number(fields[1], "x", no), _number(fields[2], "y", no)
        demand = _whole(fields[3], "demand", no)
        ready, due = _number(fields[4], "ready time", no), _number(fields[5], "due time", no)
        service = _number(fields[6], "service time", no)
        pickup_index = _whole(fields[7], "pickup index", no)
        delivery_index = _whole(fields[8], "delivery index", no)
        if ready < 0:
            raise InstanceError(f"line {no}: node {index} opens at {fields[4]}, before time 0")
        if due < ready:
            raise InstanceError(f"line {no}: node {index}'s window closes ({fields[5]}) before it opens ({fields[4]})")
        if service < 0:
            raise InstanceError(f"line {no}: node {index} has a negative service time {fields[6]}")
        nodes.append(Node(index=index, x=x, y=y, demand=demand, ready=ready, due=due, service=service))
        links.append((pickup_index, delivery_index, no))

    depot = nodes[0]
    _, _, depot_no = links[0]
    if depot.demand != 0 or links[0][:2] != (0, 0):
        raise InstanceError(f"line {depot_no}: the depot (node 0) must have demand 0 and no pickup or delivery index")
    count = len(nodes)
    requests: list[Request] = []
    # First every node's own links (so that a dangling reference is named as such), then the pairs.
    for node, (pickup_index, delivery_index, no) in zip(nodes[1:], links[1:], strict=True):
        i = node.index
        if pickup_index and delivery_index:
            raise InstanceError(f"line {no}: node {i} names both a pickup ({pickup_index}) and a delivery ({delivery_index})")
        if not pickup_index and not delivery_index:
            raise InstanceError(f"line {no}: node {i} is neither a pickup nor a delivery (both indices 0)")
        if not 0 <= pickup_index < count:
            raise InstanceError(
                f"line {no}: delivery {i} names pickup {pickup_index}, which is not in the file (a delivery without its pickup)"
            )
        if not 0 <= delivery_index < count:
            raise InstanceError(f"line {no}: pickup {i} names delivery {delivery_index}, which is not in the file")
    for node, (pickup_index, delivery_index, no) in zip(nodes[1:], links[1:], strict=True):
        i = node.index
        if delivery_index:  # a pickup
            if node.demand < 0:
                raise InstanceError(f"line {no}: pickup {i} has a negative demand {node.demand}")
            if node.demand > capacity:
                raise InstanceError(f"line {no}: pickup {i}'s demand {node.demand} exceeds the capacity {capacity}")
            partner_pickup, _, partner_no = links[delivery_index]
            if partner_pickup != i:
                raise InstanceError(
                    f"line {no}: pickup {i} names delivery {delivery_index}, whose line {partner_no} names pickup "
                    f"{partner_pickup} instead"
                )
            if nodes[delivery_index].demand != -node.demand:
                raise InstanceError(
                    f"line {partner_no}: delivery {delivery_index} has demand {nodes[delivery_index].demand}, "
                    f"expected {-node.demand} (the opposite of pickup {i}'s)"
                )
            requests.append(Request(pickup=i, delivery=delivery_index, demand=node.demand))
        else:  # a delivery
            _, partner_delivery, partner_no = links[pickup_index]
            if partner_delivery != i:
                raise InstanceError(
                    f"line {no}: delivery {i} names pickup {pickup_index}, whose line {partner_no} does not name "
                    f"delivery {i} (a delivery without its pickup)"
                )
    for node in nodes[1:]:
        reach = max(depot.ready + depot.service, 0.0) + math.hypot(node.x - depot.x, node.y - depot.y)
        if reach > node.due + 1e-9:
            raise InstanceError(f"node {node.index} cannot be reached from the depot before its window closes")
    return Problem(name=name, vehicles=vehicles, capacity=capacity, nodes=tuple(nodes), requests=tuple(requests))
