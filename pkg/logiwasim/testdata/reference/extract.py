#!/usr/bin/env python3
"""Extract the example bodies the simulator's conformance test compares against.

Source: /work/shared/logiwa/logiwa-openapi-v3.1.txt (text rendering of Logiwa's Swagger UI).
Run from this directory: python3 extract.py /work/shared/logiwa/logiwa-openapi-v3.1.txt
Each output file is the "Example Value" the reference shows for one endpoint and status
("request" for the request body), verbatim.
"""
import json
import re
import sys

WANT = {
    # file stem: (method, path, status)
    "token.request": ("POST", "/v3.1/Authorize/token", "request"),
    "token.200": ("POST", "/v3.1/Authorize/token", "200"),
    "token.400": ("POST", "/v3.1/Authorize/token", "400"),
    "token.401": ("POST", "/v3.1/Authorize/token", "401"),
    "product_create.request": ("POST", "/v3.1/Product/create", "request"),
    "product_create.201": ("POST", "/v3.1/Product/create", "201"),
    "product_create_v32.request": ("POST", "/v3.2/Product/create", "request"),
    "product_create_v32.201": ("POST", "/v3.2/Product/create", "201"),
    "product_list.200": ("GET", "/v3.1/Product/list/i/{index}/s/{size}", "200"),
    "product_update.request": ("PUT", "/v3.1/Product/update", "request"),
    "product_update.200": ("PUT", "/v3.1/Product/update", "200"),
    "product_listing.400": ("PUT", "/v3.1/Product/listing", "400"),
    "shipmentorder_create.request": ("POST", "/v3.1/ShipmentOrder/create", "request"),
    "shipmentorder_create.201": ("POST", "/v3.1/ShipmentOrder/create", "201"),
    "shipmentorder_get.200": ("GET", "/v3.1/ShipmentOrder/{identifier}", "200"),
    "shipmentorder_list.200": ("GET", "/v3.1/ShipmentOrder/list/i/{index}/s/{size}", "200"),
    "shipmentorder_cancel.request": ("POST", "/v3.1/ShipmentOrder/cancel/{identifier}", "request"),
    "shipmentorder_cancel.200": ("POST", "/v3.1/ShipmentOrder/cancel/{identifier}", "200"),
    "returnorder_create.request": ("POST", "/v3.2/ReturnOrder/create", "request"),
    "returnorder_create.201": ("POST", "/v3.2/ReturnOrder/create", "201"),
    "returnorder_list.200": ("GET", "/v3.2/ReturnOrder/list/i/{index}/s/{size}", "200"),
    "returnorder_list_v33.200": ("GET", "/v3.3/ReturnOrder/list/i/{index}/s/{size}", "200"),
    "totalinventory.200": ("GET", "/v3.1/Report/TotalInventory/i/{index}/s/{size}", "200"),
    "client_list.200": ("GET", "/v3.1/Client/list/i/{index}/s/{size}", "200"),
    "warehouse_list.200": ("GET", "/v3.1/Warehouse/list/i/{index}/s/{size}", "200"),
    "lookup.200": ("GET", "/v3.1/Helper/lookup", "200"),
    "shipmentorderstatustypes.200": ("GET", "/v3.1/Helper/shipmentorderstatustypes", "200"),
    "carriers.200": ("GET", "/v3.1/Helper/carriers", "200"),
    "shipmentordertype_list.200": ("GET", "/v3.1/DataSetup/shipmentordertype/list/i/{index}/s/{size}", "200"),
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def main(src):
    lines = open(src, encoding="utf-8").read().split("\n")
    end = lines.index("Schemas")
    ops = [(i, lines[i], lines[i + 1]) for i in range(end) if lines[i] in METHODS and lines[i + 1].startswith("/v3")]
    examples = {}
    for k, (start, method, path) in enumerate(ops):
        stop = ops[k + 1][0] if k + 1 < len(ops) else end
        status, i = None, start
        while i < stop:
            line = lines[i]
            m = re.match(r"^(\d{3})\t$", line)
            if m:
                status = m.group(1)
            elif line == "Request body":
                status = "request"
            elif line == "Schema" and lines[i + 1] in ("{", "["):
                j, depth, buf = i + 1, 0, []
                while True:
                    buf.append(lines[j])
                    depth += lines[j].count("{") + lines[j].count("[") - lines[j].count("}") - lines[j].count("]")
                    j += 1
                    if depth == 0:
                        break
                examples.setdefault((method, path, status), json.loads("\n".join(buf)))
                i = j
                continue
            i += 1
    for stem, key in WANT.items():
        with open(stem + ".json", "w", encoding="utf-8") as f:
            json.dump(examples[key], f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/logiwa/logiwa-openapi-v3.1.txt")
