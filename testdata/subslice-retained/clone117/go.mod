module example.com/clone117

go 1.17
