module dios.example/dios

go 1.19
