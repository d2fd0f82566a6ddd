module github.com/stapler-build/stapler

go 1.26
