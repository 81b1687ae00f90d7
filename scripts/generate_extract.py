"""Writes a fictional grid city as an OpenStreetMap extract (.osm.pbf); run it through scripts/generate-extract.

Usage: generate_extract.py OUT.osm.pbf [ADDRESSES] [SEED]

The city is 40 x 40 km around knead's default service area centre. East-west streets and north-south avenues
run every 100 m; each is cut into 1 km ways that share their crossing nodes, as mapped roads are. Addresses sit
along the streets, alternating sides (odd numbers north, even south): most as address nodes, some as buildings
(a small square way carrying the address, half of them with a main entrance node), and some are repeated by a
shop node without the postcode. Every street name and address is invented.
"""

import math
import os
import random
import sys
import time

import osmium
from osmium.osm.mutable import Node, Way

CENTRE_LAT, CENTRE_LON = 43.6532, -79.3832
HALF_SIDE_KM = 20.0
SPACING_KM = 0.1
KM_PER_DEG_LAT = 111.32
KM_PER_DEG_LON = KM_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT))
LINES = int(2 * HALF_SIDE_KM / SPACING_KM)  # streets (and avenues) in the grid
BLOCKS_PER_WAY = 10  # 1 km ways

FIRST = ["Maple", "Cedar", "Birch", "Willow", "Oak", "Pine", "Elm", "Ash", "Rose", "Lily", "Fern", "Moss", "Stone",
         "River", "Lake", "Hill", "Glen", "Brook", "Spring", "Summer", "Winter", "Autumn", "North", "South", "East",
         "West", "Silver", "Golden", "Green", "Blue"]
SECOND = ["wood", "brook", "field", "ridge", "view", "dale", "vale", "crest", "haven", "side", "mount", "ford",
          "gate", "park", "grove", "land", "shire", "stead", "holm", "moor", "ton", "bury", "worth", "ley", "wick",
          "ham", "port", "bridge", "well", "cliff"]
STREET_KINDS = ["Street", "Road", "Drive", "Crescent", "Boulevard", "Lane"]
# Names with accents and apostrophes, as a bilingual city has; they replace every 50th street's name.
ACCENTED = ["Rue de l'Église", "Côte-Sainte-Anne", "Chemin du Lac-Saint-Émile", "Rue Desjardins-Hébert",
            "Allée des Érables", "Boulevard Saint-Jérôme", "Rue de la Poêle", "Müllerstraße"]
CITIES = ["Westhaven", "Eastbrook"]


def lat_at(km_north):
    return CENTRE_LAT + km_north / KM_PER_DEG_LAT


def lon_at(km_east):
    return CENTRE_LON + km_east / KM_PER_DEG_LON


def street_name(i, kind):
    if kind != "Avenue" and i % 50 == 25:
        return ACCENTED[(i // 50) % len(ACCENTED)]
    word = FIRST[i % len(FIRST)] + SECOND[(i // len(FIRST)) % len(SECOND)]
    return f"{word} {kind}"


def postcode(km_east, km_north):
    """A fictional postcode for each 2 x 2 km cell."""
    x = int((km_east + HALF_SIDE_KM) // 2)
    y = int((km_north + HALF_SIDE_KM) // 2)
    letters = "ABCEGHJKLMNPRSTVXY"
    return f"M{x % 9 + 1}{letters[y % len(letters)]} {x % 10}{letters[(x + y) % len(letters)]}{y % 10}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    addresses = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    if os.path.exists(out):
        os.remove(out)
    started = time.time()

    header = osmium.io.Header()
    header.set("generator", "knead scripts/generate-extract")
    # Nodes, then ways, each by id: the reader may stop its second pass at the first way.
    header.set("sorting", "Type_then_ID")
    writer = osmium.SimpleWriter(out, header=header)

    # Crossing nodes: the grid's (LINES + 1) x (LINES + 1) corners.
    def crossing(row, col):
        return 1 + row * (LINES + 1) + col

    for row in range(LINES + 1):
        lat = lat_at(-HALF_SIDE_KM + row * SPACING_KM)
        for col in range(LINES + 1):
            writer.add_node(Node(id=crossing(row, col), location=(lon_at(-HALF_SIDE_KM + col * SPACING_KM), lat)))
    next_node = crossing(LINES, LINES) + 1

    # Addresses along the east-west streets (rows 1 .. LINES - 1), evenly spaced, alternating sides.
    streets = LINES - 1
    per_street = math.ceil(addresses / streets)
    step_km = 2 * HALF_SIDE_KM / (per_street + 1)
    buildings = []  # (way refs, tags)
    made = 0
    for row in range(1, LINES):
        name = street_name(row, STREET_KINDS[row % len(STREET_KINDS)])
        street_km = -HALF_SIDE_KM + row * SPACING_KM
        for k in range(per_street):
            if made == addresses:
                break
            made += 1
            number = k + 1
            side = 1 if number % 2 else -1
            east_km = -HALF_SIDE_KM + (k + 1) * step_km
            north_km = street_km + side * 0.015
            tags = {
                "addr:housenumber": str(number) + ("A" if number % 97 == 0 else ""),
                "addr:street": name,
                "addr:postcode": postcode(east_km, north_km),
                "addr:city": CITIES[0 if east_km < 0 else 1],
            }
            at = (lon_at(east_km), lat_at(north_km))
            roll = rng.random()
            if roll < 0.2:
                # A building: a 10 x 8 m square, the address on the way; half have a main entrance node.
                corners = []
                for dx, dy in ((-0.005, 0), (0.005, 0), (0.005, side * 0.008), (-0.005, side * 0.008)):
                    writer.add_node(Node(id=next_node, location=(lon_at(east_km + dx), lat_at(north_km + dy))))
                    corners.append(next_node)
                    next_node += 1
                if roll < 0.1:
                    writer.add_node(Node(id=next_node, location=(lon_at(east_km), lat_at(north_km)),
                                         tags={"entrance": "main"}))
                    corners.insert(1, next_node)
                    next_node += 1
                buildings.append((corners + [corners[0]], dict(tags, building="house")))
            else:
                writer.add_node(Node(id=next_node, location=at, tags=tags))
                next_node += 1
            if roll > 0.9:
                # A shop repeating the address without its postcode, a few metres off.
                shop = {k: v for k, v in tags.items() if k != "addr:postcode"}
                shop.update({"shop": "bakery", "name": f"Bakery {made}"})
                writer.add_node(Node(id=next_node, location=(lon_at(east_km + 0.004), lat_at(north_km)), tags=shop))
                next_node += 1

    # Roads: every line cut into 1 km ways; every 50th line primary, every 10th secondary, the rest residential.
    next_way = 1
    for line in range(LINES + 1):
        highway = "primary" if line % 50 == 0 else "secondary" if line % 10 == 0 else "residential"
        for horizontal in (True, False):
            name = street_name(line, STREET_KINDS[line % len(STREET_KINDS)] if horizontal else "Avenue")
            for start in range(0, LINES, BLOCKS_PER_WAY):
                stops = range(start, min(start + BLOCKS_PER_WAY, LINES) + 1)
                refs = [crossing(line, i) if horizontal else crossing(i, line) for i in stops]
                writer.add_way(Way(id=next_way, nodes=refs, tags={"highway": highway, "name": name}))
                next_way += 1
    for refs, tags in buildings:
        writer.add_way(Way(id=next_way, nodes=refs, tags=tags))
        next_way += 1
    writer.close()

    size = os.path.getsize(out)
    print(f"wrote {out}: {made} addresses ({len(buildings)} buildings), {next_way - 1} ways, "
          f"{next_node - 1} nodes, {size / 1e6:.1f} MB in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
