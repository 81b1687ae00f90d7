-- Places: the addresses and drivable roads imported from an OpenStreetMap extract (`knead places import`),
-- replaced whole by each import. The generation numbers the imports, so what a server keeps in memory from
-- them (the address index, cached road travel times) can tell when it is stale.

create table places_generation (
    id integer not null constraint places_generation_pkey primary key,
    -- 0 until the first import
    generation integer not null,
    -- when the last import replaced the set (integer microseconds since the Unix epoch, UTC)
    replaced_at integer,
    constraint places_generation_single_row check (id = 1)
);
insert into places_generation (id, generation, replaced_at) values (1, 0, null);

create table addresses (
    id integer primary key,
    -- as written on the map: 11, 11a, 11-13
    number text not null,
    street text not null,
    -- empty when the map has none
    postcode text not null,
    city text not null,
    lat real not null,
    lon real not null
);

create table roads (
    id integer primary key,
    kind text not null,
    -- the box around the points, to find the roads under a map
    south real not null,
    west real not null,
    north real not null,
    east real not null,
    -- lat,lon;lat,lon;... with 6 decimals
    points text not null,
    constraint roads_kind_check check (kind in ('major', 'minor'))
);
create index roads_bounds_idx on roads (south, north, west, east);
