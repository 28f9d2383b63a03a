module gotable

go 1.24
