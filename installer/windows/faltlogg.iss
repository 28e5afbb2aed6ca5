; Fältlogg – the Windows setup program (Inno Setup 6.3 or newer).
;
; Build on Windows, from the top of the repository:
;     python installer\build.py                 (makes dist\Faltlogg\ with PyInstaller)
;     iscc installer\windows\faltlogg.iss       (makes dist\Faltlogg-<version>-setup.exe)
; The version comes from Faltlogg.exe (written there from pyproject.toml by the spec);
; override with iscc /DAppVersion=1.2.3.
;
; Installs for the current user only, without administrator rights, into
; %LOCALAPPDATA%\Programs\Faltlogg, with a Start-menu entry and an uninstaller.
; Running a newer setup updates the installed program in place (same AppId).
; The user's data – %LOCALAPPDATA%\Faltlogg\Faltlogg (database, backups, logs) – is never
; touched: not on update, not on uninstall. Nothing in this file may refer to it.
;
; This file is saved as UTF-8 with a byte order mark so that "ä" reaches Inno Setup intact.

#define AppName "Fältlogg"
#define AppExeName "Faltlogg.exe"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\Faltlogg"

#if !FileExists(BundleDir + "\" + AppExeName)
  #error dist\Faltlogg\Faltlogg.exe is missing: run "python installer\build.py" first
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + AppExeName, "ProductVersion")
#endif
#if AppVersion == ""
  #error Faltlogg.exe has no ProductVersion; pass iscc /DAppVersion=x.y.z
#endif

[Setup]
; Never change AppId: it is how a newer setup finds and updates the installed program.
AppId={{FB68AAA6-4B5E-4D6B-B86A-525316B1B263}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Fältlogg
; Per user, no administrator rights (and no dialog offering them).
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Faltlogg
UsePreviousAppDir=yes
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; An update closes a running Fältlogg first (its files are in use otherwise).
CloseApplications=yes
RestartApplications=no
OutputDir={#BundleDir}\..
OutputBaseFilename=Faltlogg-{#AppVersion}-setup
SetupIconFile={#BundleDir}\icons\faltlogg.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
; Swedish.isl is an official translation from Inno Setup 6.5; older versions use English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\Swedish.isl")
Name: "swedish"; MessagesFile: "compiler:Languages\Swedish.isl"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the program: the previous version's libraries go first, so that none
; of them is left next to the new ones. Only the program folder; never the user's data.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; The uninstaller removes the files it installed; this clears the rest of the program's
; libraries folder. Deliberately not "{app}" itself, and nothing under the data folder.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
{ The program folder must not be, or contain, the user's data folder
  (%LOCALAPPDATA%\Faltlogg): updates and the uninstaller clean the program folder. }
function NextButtonClick(CurPageID: Integer): Boolean;
var
  Dir, Data: String;
begin
  Result := True;
  if CurPageID = wpSelectDir then
  begin
    Dir := AddBackslash(Lowercase(WizardDirValue));
    Data := AddBackslash(Lowercase(ExpandConstant('{localappdata}\Faltlogg')));
    if (Pos(Data, Dir) = 1) or (Pos(Dir, Data) = 1) then
    begin
      MsgBox('Välj en egen mapp för programmet, inte Fältloggs datamapp eller en mapp ovanför den.' + #13#10 +
             'Choose a folder of its own for the program, not Fältlogg''s data folder or a folder above it.',
             mbError, MB_OK);
      Result := False;
    end;
  end;
end;
