"""Open data: CSV, XLSX, JSON with a dictionary and CC BY 4.0; a DCAT catalogue that passes
DCAT-AP shapes (tests/public/dcat_ap_shapes.ttl) with pySHACL."""

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from published.opendata import FIELDS

COLUMNS = [name for name, _kind, _description in FIELDS]


@pytest.mark.django_db
def test_the_csv_has_the_dictionary_columns_and_kemendagri_keys(client, published):
    answer = client.get("/hasil/2025/data.csv")

    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="hasil-aksi-ham-2025.csv"' in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
    assert list(rows[0]) == COLUMNS
    balikpapan = next(row for row in rows if row["kode_wilayah"] == "64.71")
    assert balikpapan["nilai_akhir"] == "99.00" and balikpapan["peringkat_kanwil"] == "1"
    assert balikpapan["nama_kanwil"].startswith("Kantor Wilayah")


@pytest.mark.django_db
def test_the_xlsx_holds_data_dictionary_and_licence(client, published):
    answer = client.get("/hasil/2025/data.xlsx")

    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames == ["data", "kamus_data", "metadata"]
    header = next(book["data"].iter_rows(values_only=True))
    assert list(header) == COLUMNS
    about = dict(book["metadata"].iter_rows(values_only=True))
    assert about["lisensi"] == "CC BY 4.0"


@pytest.mark.django_db
def test_the_json_carries_metadata_with_publication_date_and_licence(client, published):
    document = json.loads(client.get("/hasil/2025/data.json").content)

    assert document["metadata"]["lisensi_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert document["metadata"]["diterbitkan"].endswith("+07:00")  # WIB, named by its offset
    assert {entry["kolom"] for entry in document["kamus_data"]} == set(COLUMNS)
    assert len(document["data"]) == 3


@pytest.mark.django_db
def test_the_dcat_catalogue_conforms_to_dcat_ap_shapes(client, published):
    from pyshacl import validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, RDF

    answer = client.get("/hasil/katalog.jsonld")
    assert answer["Content-Type"].startswith("application/ld+json")

    graph = Graph().parse(data=answer.content, format="json-ld")
    shapes = Graph().parse(Path(__file__).with_name("dcat_ap_shapes.ttl"), format="turtle")
    conforms, _report_graph, report = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2
    downloads = {str(o) for o in graph.objects(None, DCAT.downloadURL)}
    assert "http://127.0.0.1:8000/hasil/2025/data.csv" in {
        u.replace("testserver", "127.0.0.1:8000") for u in downloads
    } or any(u.endswith("/hasil/2025/data.csv") for u in downloads)
    assert isinstance(next(iter(datasets)), URIRef)


@pytest.mark.django_db
def test_the_shapes_reject_a_catalogue_without_a_publisher(client, published):
    from pyshacl import validate
    from rdflib import Graph

    document = json.loads(client.get("/hasil/katalog.jsonld").content)
    del document["dct:publisher"]
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    shapes = Graph().parse(Path(__file__).with_name("dcat_ap_shapes.ttl"), format="turtle")

    conforms, _graph, _report = validate(graph, shacl_graph=shapes)
    assert not conforms


@pytest.mark.django_db
def test_the_dictionary_page_lists_every_column(client):
    html = client.get("/hasil/data/kamus/").content.decode()

    assert all(f"<code>{name}</code>" in html for name in COLUMNS)
