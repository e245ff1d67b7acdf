"""The shapes of geofences in metres: validity (shapely, GEOS underneath), bounding boxes,
width, and how far a position is inside or outside.

A fence is at most 50 km across (a circle's radius) or a polygon the size of a site, so each
is measured in a local equirectangular projection about its own centre (metres east and
north): the error is well under 1% at that size, far less than a phone's accuracy."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
MAX_VERTICES = 500
CIRCLE_SEGMENTS = 64  # a circle drawn as a polygon on the map


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def _metres_per_degree(latitude: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at `latitude`."""
    per_lat = math.radians(1) * EARTH_RADIUS_M
    return per_lat * max(math.cos(math.radians(latitude)), 1e-6), per_lat


def check_ring(ring: Sequence[Sequence[float]]) -> str | None:
    """Why a polygon's ring is not a fence, or None when it is: closed (first position
    repeated last), at least 3 and at most MAX_VERTICES distinct vertices, simple (no
    self-intersection) and of some area, as shapely (GEOS) judges it."""
    if len(ring) < 4:
        return "a ring needs at least 4 positions: 3 vertices and the first one again"
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return "the ring is not closed: its last position must repeat the first"
    if len(ring) - 1 > MAX_VERTICES:
        return f"at most {MAX_VERTICES} vertices"
    polygon = Polygon([(p[0], p[1]) for p in ring])
    if not polygon.is_valid:
        return f"not a valid polygon: {explain_validity(polygon)}"
    if polygon.area == 0:
        return "the ring encloses no area"
    return None


class Shape:
    """A fence's shape, ready to measure positions against: `signed_distance_m` is negative
    inside (how far from the edge) and positive outside."""

    bbox: BBox
    width_m: float

    def signed_distance_m(self, latitude: float, longitude: float) -> float:
        raise NotImplementedError

    def outline(self) -> list[list[float]]:
        """A closed ring of [longitude, latitude] for the map."""
        raise NotImplementedError


class Circle(Shape):
    def __init__(self, latitude: float, longitude: float, radius_m: float) -> None:
        self.latitude, self.longitude, self.radius_m = latitude, longitude, radius_m
        per_lon, per_lat = _metres_per_degree(latitude)
        dlat, dlon = radius_m / per_lat, min(radius_m / per_lon, 180.0)
        # Clamped at the poles and the antimeridian: the box may only grow past the circle.
        self.bbox = BBox(
            west=max(longitude - dlon, -180.0),
            south=max(latitude - dlat, -90.0),
            east=min(longitude + dlon, 180.0),
            north=min(latitude + dlat, 90.0),
        )
        self.width_m = 2 * radius_m

    def signed_distance_m(self, latitude: float, longitude: float) -> float:
        return haversine_m(self.latitude, self.longitude, latitude, longitude) - self.radius_m

    def outline(self) -> list[list[float]]:
        per_lon, per_lat = _metres_per_degree(self.latitude)
        ring = []
        for i in range(CIRCLE_SEGMENTS):
            angle = 2 * math.pi * i / CIRCLE_SEGMENTS
            ring.append(
                [
                    round(self.longitude + self.radius_m * math.sin(angle) / per_lon, 7),
                    round(self.latitude + self.radius_m * math.cos(angle) / per_lat, 7),
                ]
            )
        return [*ring, ring[0]]


class Area(Shape):
    """A polygon fence, projected about the centre of its bounding box."""

    def __init__(self, ring: Sequence[Sequence[float]]) -> None:
        self.ring = [[float(p[0]), float(p[1])] for p in ring]
        lons = [p[0] for p in self.ring]
        lats = [p[1] for p in self.ring]
        self.bbox = BBox(west=min(lons), south=min(lats), east=max(lons), north=max(lats))
        self._lat0 = (self.bbox.south + self.bbox.north) / 2
        self._lon0 = (self.bbox.west + self.bbox.east) / 2
        self._per_lon, self._per_lat = _metres_per_degree(self._lat0)
        self._polygon = Polygon([self._project(lat, lon) for lon, lat in self.ring])
        shapely.prepare(self._polygon)
        # The narrowest width: the short side of the smallest rectangle around it.
        rectangle = shapely.oriented_envelope(self._polygon)
        corners = list(rectangle.exterior.coords) if isinstance(rectangle, Polygon) else []
        sides = [math.dist(a, b) for a, b in itertools.pairwise(corners)]
        self.width_m = min(sides) if sides else 0.0

    def _project(self, latitude: float, longitude: float) -> tuple[float, float]:
        return (longitude - self._lon0) * self._per_lon, (latitude - self._lat0) * self._per_lat

    def signed_distance_m(self, latitude: float, longitude: float) -> float:
        point = Point(self._project(latitude, longitude))
        edge = float(self._polygon.exterior.distance(point))
        return -edge if self._polygon.contains(point) else edge

    def outline(self) -> list[list[float]]:
        return self.ring


def bbox_of_box(west: float, south: float, east: float, north: float) -> list[BBox]:
    """A map's box as one or two boxes: `west > east` crosses the antimeridian (RFC 7946
    5.2), which is two boxes either side of it."""
    if west <= east:
        return [BBox(west, south, east, north)]
    return [BBox(west, south, 180.0, north), BBox(-180.0, south, east, north)]
