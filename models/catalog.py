"""What is sold: product categories, units, products; and the warehouses it ships from."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import Field, SQLModel

from models.types import json_field, search_key


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)  # OKEI code, e.g. 168 = tonne
    name: str = Field(max_length=20)  # "т", "шт", "м"


class ProductCategory(SQLModel, table=True):
    __tablename__ = "product_category"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    parent_id: int | None = Field(default=None, foreign_key="product_category.id")
    default_unit_id: int | None = Field(default=None, foreign_key="unit.id")


class Product(SQLModel, table=True):
    __tablename__ = "product"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)  # article
    name: str = Field(max_length=300, index=True)
    category_id: int = Field(foreign_key="product_category.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    # Steel grade, size, standard…: what price-group rules look at.
    attributes: dict = json_field(dict)
    is_active: bool = True
    search_key: str = Field(default="", max_length=400)  # casefolded code + name


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _product_search_key(_mapper, _connection, target: Product) -> None:  # noqa: ANN001
    target.search_key = search_key(target.code, target.name)


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouse"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    city: str = Field(default="", max_length=100)
    business_unit_id: int | None = Field(default=None, foreign_key="business_unit.id")
